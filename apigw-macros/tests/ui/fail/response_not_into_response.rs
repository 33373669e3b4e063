struct Page;

#[apigw_runtime::handler]
async fn hello(_r: apigw_runtime::Request) -> Result<Page, std::io::Error> {
    Ok(Page)
}
