#[apigw_runtime::handler(timeout = "10")]
async fn hello(_r: apigw_runtime::Request) -> Result<String, std::io::Error> {
    Ok(String::new())
}
