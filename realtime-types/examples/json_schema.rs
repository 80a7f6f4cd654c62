//! Prints the JSON Schema of the event unions, one JSON document per line:
//! `cargo run -p realtime-types --example json_schema [ga|beta|translation] [client|server]`
//! (both arguments optional: every surface, every direction).

use realtime_types::{beta, ga, json_schema, translation};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let wanted = |surface: &str, direction: &str| {
        args.first().is_none_or(|s| s == surface) && args.get(1).is_none_or(|d| d == direction)
    };
    let schemas = [
        ("ga", "client", json_schema::<ga::ClientEvent>()),
        ("ga", "server", json_schema::<ga::ServerEvent>()),
        ("beta", "client", json_schema::<beta::ClientEvent>()),
        ("beta", "server", json_schema::<beta::ServerEvent>()),
        (
            "translation",
            "client",
            json_schema::<translation::ClientEvent>(),
        ),
        (
            "translation",
            "server",
            json_schema::<translation::ServerEvent>(),
        ),
    ];
    let mut printed = 0;
    for (surface, direction, schema) in schemas {
        if wanted(surface, direction) {
            println!("{}", schema.as_value());
            printed += 1;
        }
    }
    if printed == 0 {
        eprintln!("usage: json_schema [ga|beta|translation] [client|server]");
        std::process::exit(2);
    }
}
