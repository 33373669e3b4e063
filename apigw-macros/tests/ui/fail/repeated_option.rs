#[apigw_runtime::handler(timeout = "1s", timeout = "2s")]
async fn hello(_r: apigw_runtime::Request) -> Result<String, std::io::Error> {
    Ok(String::new())
}
