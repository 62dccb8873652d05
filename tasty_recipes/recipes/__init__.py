"""The recipes context, used by the browser (html/) and the JSON API (api/)."""
