-- wrk script: POST /api/sign_in with the seeded user's credentials (from the environment).
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = string.format('{"email": "%s", "password": "%s"}',
                         os.getenv("BENCH_EMAIL"), os.getenv("BENCH_PASSWORD"))
