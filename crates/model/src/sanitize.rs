//! The model's checks on a document a reader produced, applied once, so that every writer
//! can trust what it is given and none has to repeat them.

use crate::attrs::filter_attrs;
use crate::controls::{replace_forbidden_chars, replace_forbidden_chars_in_metadata};
use crate::ids::check_heading_ids;
use crate::lang::check_language;
use crate::{Document, Metadata, Warning, drop_dangerous_urls};

/// Makes a document fit for every output format, with a warning for each kind of change:
///
/// 1. links and images with a dangerous URL, or a control character in their URL, lose
///    their target and keep their text ([`drop_dangerous_urls`]);
/// 2. control characters and noncharacters anywhere else (metadata, text, code, attributes)
///    become U+FFFD ([`is_forbidden_char`](crate::is_forbidden_char)), with one warning;
/// 3. `lang` must be a valid BCP 47 tag ([`valid_language_tag`](crate::valid_language_tag)),
///    else it is removed and writers use `en`;
/// 4. attributes pass an allow-list (see `attrs.rs`: `title`, `lang`, `dir`,
///    `translate`, `data-*`; never `style`, `on...`, `srcdoc`, `xmlns...`), the first of two
///    with one name is kept;
/// 5. heading ids are unique, hold no white space and are never a footnote's
///    ([`Ids`](crate::Ids)).
///
/// The readers call it (`bindery_markdown::parse`, [`from_json`](crate::from_json)); a
/// library user who builds a [`Document`] by hand calls it before rendering. It is
/// idempotent: a second call changes nothing and warns about nothing. Run it after
/// [`limit_depth`](crate::limit_depth), which bounds its recursion.
pub fn sanitize(document: &mut Document) -> Vec<Warning> {
    let mut warnings = drop_dangerous_urls(&mut document.blocks);
    warnings.extend(replace_forbidden_chars(document));
    warnings.extend(check_language(&mut document.meta));
    warnings.extend(filter_attrs(&mut document.blocks));
    warnings.extend(check_heading_ids(document));
    warnings
}

/// Steps 2 and 3 of [`sanitize`] for the metadata alone: for metadata set after reading
/// (`-M key=value`, a title taken from the file name).
pub fn sanitize_metadata(meta: &mut Metadata) -> Vec<Warning> {
    let mut warnings: Vec<Warning> = replace_forbidden_chars_in_metadata(meta)
        .into_iter()
        .collect();
    warnings.extend(check_language(meta));
    warnings
}
