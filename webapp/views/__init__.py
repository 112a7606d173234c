"""The pages: one Flask blueprint per page family. Each view reads its data from
`webapp.data` and answers HTML or its JSON twin through `webapp.http.pages`."""
