use apigw_runtime::{Context, Request};

async fn init() -> Result<u8, std::io::Error> {
    Ok(1)
}

#[apigw_runtime::handler(init = init)]
async fn hello(_r: Request, _c: Context, _s: &u8, extra: u8) -> Result<String, std::io::Error> {
    Ok(extra.to_string())
}
