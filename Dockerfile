# modeldir in a container: `docker build -t modeldir .` then
#   docker run -p 8080:8080 -v modeldir-data:/data modeldir
# The first start prints the first API key on standard output (`docker logs`).
#
# Stage 1 builds a wheel of the checkout; stage 2 installs it, with its dependencies only, into
# a virtual environment on a slim base, and runs it as an unprivileged user. tests/test_docker.py
# runs this file's install and start commands in a fresh virtual environment (no image can be
# built where the suite runs), so keep them plain `RUN` and `CMD` lines.

FROM python:3.12-slim AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY src ./src
RUN pip wheel --no-cache-dir --no-deps --wheel-dir /wheels .

FROM python:3.12-slim
RUN useradd --system --uid 10001 --home-dir /data --create-home modeldir
COPY --from=build /wheels /wheels
RUN python -m venv /opt/modeldir && /opt/modeldir/bin/pip install --no-cache-dir /wheels/*.whl
ENV PATH="/opt/modeldir/bin:$PATH" \
    MODELDIR_DATABASE_URL="sqlite:////data/modeldir.db" \
    MODELDIR_PORT="8080"
USER modeldir
VOLUME ["/data"]
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:8080/readyz').status != 200)"]
CMD ["modeldir", "serve", "--host", "0.0.0.0"]
