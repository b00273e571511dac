# The helpline bot, in webhook mode by default.
#
#   docker build -t helpline-bot .
#   docker run --rm helpline-bot python -m bot kb check
#
# No secret is baked in: BOT_TOKEN, SECRET_KEY, ENCRYPTION_KEYS, DATABASE_URL, REDIS_URL, ...
# come from the environment at run time (docker compose passes them from `.env`; see the
# README, "Production deployment"). `.env` itself is kept out of the build context.
#
# Layout: the bot finds `locales/` and `knowledge_base/` next to its package (bot/__init__.py:
# PROJECT_DIR = the folder that holds `bot/`), and pyproject's package discovery ships only
# `bot*`. An installed copy in site-packages would therefore look for site-packages/locales.
# So the image runs the source tree in /app (PYTHONPATH=/app), with the dependencies that
# `pip install .` resolves from pyproject.toml in a virtualenv: PROJECT_DIR is /app, the
# knowledge base is /app/knowledge_base (the KB_PATH default) and the SQLite fallback is
# /app/data/helpline.sqlite3 (the DATABASE_URL default).

ARG PYTHON_IMAGE=python:3.11-slim

# --- build: dependencies in a virtualenv, compiled catalogues ---------------------------------
FROM ${PYTHON_IMAGE} AS build
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
WORKDIR /src

# Dependencies first (a layer that changes only with pyproject.toml): install the project from
# its metadata with a placeholder package, then remove the project itself, keeping what it
# depends on. The real sources are copied below and run from /app.
COPY pyproject.toml README.md ./
RUN mkdir bot && touch bot/__init__.py \
    && pip install . \
    && pip uninstall -y helpline-bot \
    && rm -rf bot build ./*.egg-info

# The sources; the gettext catalogues are compiled here (.mo files are not in git).
COPY bot ./bot
COPY locales ./locales
COPY knowledge_base ./knowledge_base
RUN pybabel compile -d locales -D messages --statistics \
    && for po in locales/*/LC_MESSAGES/messages.po; do \
         test -f "${po%.po}.mo" || { echo "not compiled: $po" >&2; exit 1; }; \
       done \
    && python -m compileall -q bot

# --- runtime ----------------------------------------------------------------------------------
FROM ${PYTHON_IMAGE} AS runtime
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONPATH=/app \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    MPLCONFIGDIR=/tmp/matplotlib

# A fixed uid/gid, so volumes and host bind mounts can be given to it.
RUN groupadd --system --gid 10001 helpline \
    && useradd --system --uid 10001 --gid helpline --home-dir /app --no-create-home \
       --shell /usr/sbin/nologin helpline

COPY --from=build /opt/venv /opt/venv
WORKDIR /app
# Code, catalogues and knowledge base stay owned by root: the bot cannot change them.
COPY --from=build /src/bot ./bot
COPY --from=build /src/locales ./locales
COPY --from=build /src/knowledge_base ./knowledge_base
# The only writable places: data/ (the SQLite fallback) and knowledge_base/drafts/ (where
# `/promote` writes draft entries for curators). A named volume mounted on either starts with
# this ownership.
RUN mkdir -p /app/data /app/knowledge_base/drafts \
    && chown helpline:helpline /app/data /app/knowledge_base/drafts \
    && chmod 0750 /app/data /app/knowledge_base/drafts
VOLUME ["/app/data", "/app/knowledge_base/drafts"]

# Numeric, so that runtimes can check it is not root (e.g. Kubernetes runAsNonRoot).
USER 10001:10001
EXPOSE 8080

# /healthz answers 200 when the database is reachable and the knowledge base is loaded, 503
# otherwise (urlopen raises on 503 and on a refused connection, so the exit code is non-zero).
HEALTHCHECK --interval=30s --timeout=5s --start-period=40s --retries=3 \
    CMD ["python", "-c", "import os, sys, urllib.request as u; port = os.environ.get('WEB_PORT') or '8080'; sys.exit(u.urlopen(f'http://127.0.0.1:{port}/healthz', timeout=4).status != 200)"]

# Exec form: python is PID 1 and gets SIGTERM from `docker stop`, then finishes in-flight
# updates before it exits.
CMD ["python", "-m", "bot", "run", "--webhook"]
