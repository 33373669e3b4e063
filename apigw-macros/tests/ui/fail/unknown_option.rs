#[apigw_runtime::handler(memory = "128MB")]
async fn hello(_r: apigw_runtime::Request) -> Result<String, std::io::Error> {
    Ok(String::new())
}
