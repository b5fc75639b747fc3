// A realistic TRAIDER-like stack used by the stack module's tests (db, redis, api, web, worker).

export const REALISTIC_STACK = `
name: traider

x-hardening: &hardening
  read_only: true
  cap_drop: [ALL]
  security_opt: ["no-new-privileges:true"]
  restart: unless-stopped

services:
  web:
    <<: *hardening
    image: registry.traider.internal/web:\${WEB_TAG}
    user: "10001:10001"
    ports:
      - "127.0.0.1:8080:3000/tcp"
    environment:
      API_URL: http://api:8000
      NODE_ENV: production
    depends_on:
      - api
    networks: [frontend]
    tmpfs: /tmp
    healthcheck:
      test: ["CMD", "wget", "-qO-", "http://localhost:3000/health"]
      interval: 15s
      timeout: 3s
      retries: 3
      start_period: 20s
    deploy:
      resources:
        limits: { cpus: "0.5", memory: 256M }
        reservations: { memory: 128M }
    labels:
      traider.role: frontend

  api:
    <<: *hardening
    image: registry.traider.internal/api:\${API_TAG}
    user: "10001"
    command: uvicorn app.main:app --host 0.0.0.0 --port 8000
    environment:
      - DATABASE_HOST=db
      - LOG_LEVEL=\${LOG_LEVEL:-info}
      - TZ
    secrets: [db_password]
    depends_on:
      db: { condition: service_healthy }
      redis: { condition: service_started }
    networks: [frontend, backend]
    healthcheck:
      test: curl -fsS http://localhost:8000/health || exit 1
      interval: 10s
    deploy:
      resources:
        limits: { cpus: 1, memory: 1g }

  worker:
    <<: *hardening
    image: registry.traider.internal/worker:\${API_TAG}
    user: "10001:10001"
    entrypoint: ["python", "-m", "worker"]
    depends_on: [db, redis]
    networks: { backend: }
    secrets:
      - source: db_password
    healthcheck:
      test: ["CMD", "python", "-m", "worker.healthcheck"]
      interval: 30s
      timeout: 5s
      retries: 5
    deploy:
      resources:
        limits: { cpus: "1.5", memory: 1.5GB }

  db:
    image: postgres:16.4-alpine
    user: "70:70"
    environment:
      POSTGRES_DB: traider
      POSTGRES_PASSWORD_FILE: /run/secrets/db_password
    secrets: [db_password]
    volumes:
      - pgdata:/var/lib/postgresql/data
      - type: tmpfs
        target: /var/run/postgresql
        tmpfs: { size: 16M }
    networks: [backend]
    healthcheck:
      test: ["CMD-SHELL", "pg_isready -U postgres -d traider"]
      interval: 5s
      timeout: 5s
      retries: 10
      start_period: 1m30s
    deploy:
      resources:
        limits: { cpus: "2", memory: 2048M }
        reservations: { cpus: "0.5", memory: 512M }
    x-notes: "extension fields are ignored"

  redis:
    image: redis:7.4.1@sha256:${'a'.repeat(64)}
    user: "999:999"
    command: ["redis-server", "--appendonly", "yes"]
    volumes: ["redisdata:/data"]
    networks: [backend]
    healthcheck:
      test: ["CMD", "redis-cli", "ping"]
      interval: 5s
    deploy:
      resources:
        limits: { cpus: "0.25", memory: 128M }

networks:
  frontend:
  backend:
    internal: true

volumes:
  pgdata:
  redisdata:
    external: true
    name: traider_redis

secrets:
  db_password:
    x-traider: { secret: traider/db-password }
`

export const RELEASE_VARIABLES = { WEB_TAG: '2.3.0', API_TAG: '1.9.4', TZ: 'UTC' }
