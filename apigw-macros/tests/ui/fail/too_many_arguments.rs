use apigw_runtime::{Context, Request};

#[apigw_runtime::handler]
async fn hello(
    _r: Request,
    _a: Context,
    _b: Context,
    _c: Context,
    _d: Context,
    _e: Context,
    extra: Context,
) -> Result<String, std::io::Error> {
    Ok(extra.request_id)
}
