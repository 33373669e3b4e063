#[apigw_runtime::handler(mode = "proxy")]
async fn hello(_r: apigw_runtime::Request) -> Result<String, std::io::Error> {
    Ok(String::new())
}
