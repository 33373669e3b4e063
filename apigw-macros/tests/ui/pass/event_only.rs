// The #[handler] sits in a module so the generated `main` is compiled but not run.

mod function {
    use apigw_runtime::{IntoResponse, Request};

    #[apigw_runtime::handler]
    pub async fn hello(req: Request) -> Result<impl IntoResponse, std::convert::Infallible> {
        Ok(serde_json::json!({ "hello": req.query("name").unwrap_or("world") }))
    }
}

fn main() {}
