//! Wire tests of the catalogue vendors: each replays, on loopback, the
//! exchange its public documentation describes (the expectations are written
//! from the documentation, cited in each module, not from the spec), and ends
//! with an authorized API call that the replay checks.

mod support;

#[cfg(feature = "adobe_ims")]
mod adobe_ims;
#[cfg(feature = "app_store_connect")]
mod app_store_connect;
#[cfg(feature = "app_store_connect_individual")]
mod app_store_connect_individual;
#[cfg(feature = "atlassian")]
mod atlassian;
#[cfg(feature = "aws_cognito")]
mod aws_cognito;
#[cfg(feature = "aws_imds")]
mod aws_imds;
#[cfg(feature = "backblaze_b2")]
mod backblaze_b2;
#[cfg(feature = "box_platform")]
mod box_platform;
#[cfg(feature = "docker_registry")]
mod docker_registry;
#[cfg(feature = "docusign_jwt")]
mod docusign_jwt;
#[cfg(feature = "dropbox")]
mod dropbox;
#[cfg(feature = "ebay")]
mod ebay;
#[cfg(feature = "gce_metadata")]
mod gce_metadata;
#[cfg(feature = "github_app_installation")]
mod github_app_installation;
#[cfg(feature = "github_app_user")]
mod github_app_user;
#[cfg(feature = "google_oauth")]
mod google_oauth;
#[cfg(feature = "google_service_account")]
mod google_service_account;
#[cfg(feature = "okta_private_key_jwt")]
mod okta_private_key_jwt;
#[cfg(feature = "sap_b1")]
mod sap_b1;
#[cfg(feature = "shopify")]
mod shopify;
#[cfg(feature = "snowflake_key_pair")]
mod snowflake_key_pair;
#[cfg(feature = "spotify")]
mod spotify;
#[cfg(feature = "stripe")]
mod stripe;
#[cfg(feature = "swift_tempauth")]
mod swift_tempauth;
#[cfg(feature = "twitch")]
mod twitch;
#[cfg(feature = "vault_approle")]
mod vault_approle;
#[cfg(feature = "x_app_only")]
mod x_app_only;
