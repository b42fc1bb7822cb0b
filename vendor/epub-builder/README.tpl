[See the full library documentation on Docs.rs.](https://docs.rs/epub-builder)

{{readme}}

## ChangeLog

See the [ChangeLog file](ChangeLog.md).
