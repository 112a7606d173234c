"""What each page family shows, read from the store and the law: one module per family
(the views in `webapp.views` only present it)."""
