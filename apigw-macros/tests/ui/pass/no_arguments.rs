// The #[handler] sits in a module so the generated `main` is compiled but not run.
// A handler may take nothing at all: a health check, say.

mod function {
    #[apigw_runtime::handler]
    pub async fn health() -> Result<&'static str, std::convert::Infallible> {
        Ok("ok")
    }
}

fn main() {}
