# Vault server for the TRAIDER stack, mounted at /vault/config/vault.hcl (the image's entrypoint
# passes -config=/vault/config). Integrated (raft) storage on the vault-data volume.
ui            = true
# No mlock: the service runs as the non-root vault user without IPC_LOCK. HashiCorp
# recommends disable_mlock with integrated storage; keep swap off on the Docker host.
disable_mlock = true
api_addr      = "http://vault:8200"
cluster_addr  = "http://vault:8201"

storage "raft" {
  path    = "/vault/file"
  node_id = "traider-vault-1"
}

# Plain HTTP inside the internal app/observability networks; browsers reach the UI through
# Traefik (TLS, IP allowlist). Prometheus scrapes /v1/sys/metrics without a token.
listener "tcp" {
  address         = "0.0.0.0:8200"
  cluster_address = "0.0.0.0:8201"
  tls_disable     = true

  telemetry {
    unauthenticated_metrics_access = true
  }
}

telemetry {
  prometheus_retention_time = "30s"
  disable_hostname          = true
}
