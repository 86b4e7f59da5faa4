# Stage 1: the pinned signature_pad (consent/frontend/package-lock.json, integrity-checked).
FROM node:20-slim AS frontend
WORKDIR /build
COPY consent/frontend/package.json consent/frontend/package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund

# Stage 2: the application (web, worker and beat all run this image).
FROM python:3.11-slim-bookworm
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 \
    libharfbuzz-subset0 fonts-dejavu-core \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY requirements.lock .
RUN pip install --no-cache-dir -r requirements.lock
COPY . .
COPY --from=frontend /build/node_modules/signature_pad/dist/signature_pad.umd.min.js \
     static/consent/vendor/signature_pad.umd.min.js
RUN PATHWAY_ENV=development python manage.py collectstatic --noinput
ENV PATHWAY_VAR_DIR=/srv/pathway/var
EXPOSE 8000
CMD ["gunicorn", "config.wsgi", "--config", "deploy/gunicorn.conf.py"]
