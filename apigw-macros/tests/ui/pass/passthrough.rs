// The #[handler] sits in a module so the generated `main` is compiled but not run.

mod function {
    use apigw_runtime::Request;

    #[derive(serde::Serialize)]
    pub struct Answer {
        pub path: String,
    }

    #[apigw_runtime::handler(mode = "passthrough", provider = "aliyun")]
    async fn answer(req: Request) -> Result<Answer, String> {
        Ok(Answer { path: req.path })
    }
}

fn main() {}
