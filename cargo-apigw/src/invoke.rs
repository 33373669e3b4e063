//! `cargo apigw invoke`: one request through the simulated gateway. A stop
//! signal (SIGINT, SIGTERM, SIGHUP) stops the function and exits 128 + its
//! number.

use crate::cli::InvokeArgs;
use crate::signals::Signals;
use crate::{request, setup, sign};
use anyhow::Context;
use bytes::Bytes;
use std::process::ExitCode;

pub(crate) async fn run(args: InvokeArgs) -> anyhow::Result<ExitCode> {
    let mut signals = Signals::listen().context("listening for signals")?;
    let config = setup::config(args.function.config.as_deref(), &args.overrides)?;
    let req = match &args.event {
        Some(_) => None,
        None => Some(request::build(&args.request)?),
    };
    let event = match &args.event {
        Some(file) => {
            Some(std::fs::read(file).with_context(|| format!("reading --event {}", file.display()))?)
        }
        None => None,
    };
    let functions = if setup::needs_function(&config) || event.is_some() {
        let targets = match &event {
            Some(_) => {
                let (name, f) = setup::pick(&config, args.function.function.as_deref())?;
                [(name.to_owned(), setup::target(&args.function, f))].into()
            }
            None => setup::targets(&args.function, &config)?,
        };
        setup::functions(&setup::build_all(&targets)?, &config)
    } else {
        Default::default()
    };
    let gateway = apigw_gateway::Gateway::with_functions(config, functions.clone());
    let req = match req {
        Some(mut req) if args.sign => {
            let with =
                sign::Credentials { key: args.key.as_deref(), private_key: args.private_key.as_deref() };
            sign::sign(&mut req, &gateway, &with)?;
            Some(req)
        }
        other => other,
    };
    let answer = async {
        match (event, req) {
            (Some(event), _) => {
                let config = gateway.config();
                let (name, function) = functions.iter().next().context("no function was built")?;
                let route = config
                    .routes
                    .iter()
                    .find(|r| r.function.as_deref() == Some(name.as_str()))
                    .or(config.routes.first())
                    .context("the configuration has no route")?;
                let id = apigw_gateway::gateway::new_request_id();
                let outcome = function.invoke(Bytes::from(event), &id, route.function_timeout).await;
                Ok(apigw_gateway::respond::outcome(route.flavour, route.mode, outcome, &id))
            }
            (None, Some(req)) => Ok(gateway.handle(req, std::net::Ipv4Addr::LOCALHOST.into()).await),
            (None, None) => anyhow::bail!("no request to send"),
        }
    };
    let answered = tokio::select! {
        res = answer => Ok(res),
        stop = signals.next() => Err(stop),
    };
    for function in functions.values() {
        function.stop().await;
    }
    let res = match answered {
        Ok(res) => res?,
        Err(stop) => {
            eprintln!("{}: stopped the function", stop.name);
            return Ok(stop.exit_code());
        }
    };
    request::print(&res).context("writing the response")?;
    Ok(if args.fail && res.status().as_u16() >= 400 { ExitCode::from(22) } else { ExitCode::SUCCESS })
}
