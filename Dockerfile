# syntax=docker/dockerfile:1
# Production image: one image for web, worker and beat (docker-compose.yml).

# --- Stage 1: build the NHS.UK front end -----------------------------------
FROM node:20-bookworm-slim AS assets
WORKDIR /build
COPY package.json package-lock.json ./
# The build needs only the dependencies; axe-core (a devDependency) is for the tests.
RUN npm ci --omit=dev --no-audit --no-fund
COPY static/build.mjs static/build.mjs
COPY static/src static/src
RUN npm run build

# --- Stage 2: the Python application ---------------------------------------
FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# WeasyPrint needs Pango; fonts for the PDFs; curl for health checks.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
       libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-liberation curl \
    && rm -rf /var/lib/apt/lists/*

RUN useradd --create-home --uid 1000 spl
WORKDIR /app
COPY requirements.lock ./
RUN pip install --require-hashes -r requirements.lock

COPY --chown=spl:spl . .
COPY --from=assets --chown=spl:spl /build/static/dist static/dist
RUN python manage.py collectstatic --no-input \
    && mkdir -p /app/var /app/media && chown -R spl:spl /app/var /app/media /app/staticfiles

USER spl
EXPOSE 8000
CMD ["gunicorn", "spl.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
