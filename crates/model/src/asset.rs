//! Local resources a document references (images), loaded and checked by the pipeline.

use std::collections::BTreeMap;
use std::sync::Arc;

/// One loaded resource. Renderers never touch the file system: the pipeline resolves each
/// image URL inside the input root, checks it, and hands the bytes in here.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Asset {
    /// IANA media type, e.g. `image/png`.
    pub media_type: String,
    /// The file's bytes, shared between the formats rendered from one document.
    pub data: Arc<[u8]>,
    /// Pixel size read from the header, when the format has one.
    pub size: Option<(u32, u32)>,
}

/// Resources by the URL exactly as the document writes it (`images/red.png`).
pub type Assets = BTreeMap<String, Asset>;
