struct MyEvent;

#[apigw_runtime::handler]
async fn hello(_e: MyEvent) -> Result<String, std::io::Error> {
    Ok(String::new())
}
