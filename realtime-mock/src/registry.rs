//! What one server keeps across its connections: the client secrets it
//! minted and the calls it knows.

use crate::calls::Calls;
use crate::secrets::ClientSecrets;

/// The client secrets and calls of one server.
#[derive(Debug, Default)]
pub(crate) struct Registry {
    pub(crate) secrets: ClientSecrets,
    pub(crate) calls: Calls,
}
