struct Page;

#[apigw_runtime::handler(mode = "passthrough")]
async fn hello(_r: apigw_runtime::Request) -> Result<Page, std::io::Error> {
    Ok(Page)
}
