//! The route table `serve` prints at start and after each reload, in the
//! manner of `sam local start-api`.

use apigw_gateway::GatewayConfig;
use apigw_gateway::config::{Backend, Mode};

/// One line per route: method, path pattern, flavour (and mode), what
/// answers, and its auth.
pub(crate) fn render(config: &GatewayConfig) -> String {
    let rows: Vec<[String; 5]> = config
        .routes
        .iter()
        .map(|r| {
            let flavour = match r.mode {
                Mode::Integration => r.flavour.as_str().to_owned(),
                Mode::Passthrough => format!("{} passthrough", r.flavour.as_str()),
            };
            let backend = match (&r.backend, &r.websocket) {
                (_, Some(ws)) => format!(
                    "websocket register {} transmission {} cleanup {}",
                    ws.register.as_deref().unwrap_or("-"),
                    ws.transmission,
                    ws.cleanup.as_deref().unwrap_or("-")
                ),
                (Backend::Function, None) => format!("function {}", r.function.as_deref().unwrap_or("?")),
                (Backend::Mock { status, .. }, None) => format!("mock {status}"),
                (Backend::Http(h), None) => format!("http {}{}", h.url, h.path),
            };
            let auth = r.auth.name();
            [r.method.clone(), r.pattern.as_str().to_owned(), flavour, backend, auth.to_owned()]
        })
        .collect();
    let header = ["METHOD", "PATH", "FLAVOUR", "BACKEND", "AUTH"].map(str::to_owned);
    let mut widths = [0usize; 5];
    for row in std::iter::once(&header).chain(&rows) {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    for row in std::iter::once(&header).chain(&rows) {
        let cells: Vec<String> = row.iter().zip(widths).map(|(c, w)| format!("{c:<w$}")).collect();
        out.push_str("  ");
        out.push_str(cells.join("  ").trim_end());
        out.push('\n');
    }
    out
}
