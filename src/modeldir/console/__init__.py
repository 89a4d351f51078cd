"""The web console: the catalogue, its lifecycle, keys and workspaces, administered from a browser.

Server-rendered HTML (Jinja2, and htmx for the few partial updates), served by the same app under
`/console`. Every change calls the same `AdminService` operations as the admin API and the CLI.
"""
