#[apigw_runtime::handler(provider = "aws")]
async fn hello(_r: apigw_runtime::Request) -> Result<String, std::io::Error> {
    Ok(String::new())
}
