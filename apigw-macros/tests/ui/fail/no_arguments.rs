#[apigw_runtime::handler]
async fn hello() -> Result<String, std::convert::Infallible> {
    Ok(String::new())
}
