#[apigw_runtime::handler]
async fn hello(_r: apigw_runtime::Request, _ctx: String) -> Result<String, std::io::Error> {
    Ok(String::new())
}
