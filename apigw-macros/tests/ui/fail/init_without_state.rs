async fn init() -> Result<u8, std::io::Error> {
    Ok(1)
}

#[apigw_runtime::handler(init = init)]
async fn hello(_r: apigw_runtime::Request) -> Result<String, std::io::Error> {
    Ok(String::new())
}
