// The #[handler] sits in a module so the generated `main` is compiled but not run.

mod sdk {
    pub use apigw_runtime as apigw;
}

mod function {
    use apigw_runtime::Body;

    #[apigw_runtime::handler(crate = "crate::sdk::apigw", provider = "web", mode = "integration")]
    async fn raw(req: http::Request<Body>) -> Result<http::Response<String>, anyhow::Error> {
        Ok(http::Response::new(req.uri().to_string()))
    }
}

fn main() {}
