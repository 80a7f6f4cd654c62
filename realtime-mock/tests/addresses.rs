//! Where the mock serves: `base_url()` is the API base a client takes as it
//! is, `url()` the GA endpoint under it.

mod common;

use common::{BetaClient, Client, TranslationClient, server};

#[tokio::test]
async fn the_base_url_is_the_api_base_and_the_url_its_realtime_endpoint() {
    let server = server().await;
    let addr = server.local_addr();
    assert_eq!(server.base_url(), format!("ws://{addr}/v1"));
    assert_eq!(server.url(), format!("ws://{addr}/v1/realtime"));
}

#[tokio::test]
async fn every_surface_is_served_at_its_path_under_the_base_url() {
    let server = server().await;
    let mut ga = Client::connect_to(
        &format!("{}/realtime?model=gpt-realtime", server.base_url()),
        &[],
    )
    .await;
    ga.expect_started().await;
    let mut beta = BetaClient::connect_beta_to(&format!(
        "{}/realtime?model=gpt-realtime",
        server.base_url()
    ))
    .await;
    beta.expect_started().await;
    let mut translation =
        TranslationClient::open(&format!("{}/realtime/translations", server.base_url()), &[]).await;
    translation.expect_started().await;
}
