"""What the web faces share (browser pages, JSON API, rate limits), so no face imports another.

``params``: request bodies and sign-in credentials; ``forms``: the form base
that shows a service's messages; ``links``: the absolute links emails carry;
``requests``: which kind of request this is, who is acting, empty answers.
"""
