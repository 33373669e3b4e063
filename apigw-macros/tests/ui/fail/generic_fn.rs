#[apigw_runtime::handler]
async fn hello<E: serde::de::DeserializeOwned>(_e: E) -> Result<String, std::io::Error> {
    Ok(String::new())
}
