#[apigw_runtime::handler]
fn hello(_req: apigw_runtime::Request) -> Result<String, std::convert::Infallible> {
    Ok(String::new())
}
