// The annotated fn stays an ordinary async fn: code (and unit tests) call it directly.
mod function {
    use apigw_runtime::{IntoResponse, Request};

    #[apigw_runtime::handler]
    pub async fn hello(req: Request) -> Result<impl IntoResponse, std::convert::Infallible> {
        Ok(format!("hello {}", req.query("name").unwrap_or("world")))
    }
}

fn main() {
    let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
    let res = rt.block_on(function::hello(apigw_runtime::Request::default())).unwrap();
    assert_eq!(apigw_runtime::IntoResponse::into_response(res).body, "hello world");
}
