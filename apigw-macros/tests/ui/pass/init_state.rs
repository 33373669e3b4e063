// The #[handler] sits in a module so the generated `main` is compiled but not run.

mod function {
    use apigw_runtime::{Context, Request};

    pub struct State {
        pub greeting: String,
    }

    async fn make_state() -> Result<State, std::io::Error> {
        Ok(State { greeting: "hi".into() })
    }

    #[apigw_runtime::handler(init = make_state, timeout = "2m")]
    async fn greet(_req: Request, _ctx: Context, state: &State) -> Result<String, std::io::Error> {
        Ok(state.greeting.clone())
    }
}

fn main() {}
