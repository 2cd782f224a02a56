# The salesflow image (Dockerfile at the repository root) runs as a Cloud Run job
# for the batch pipeline, started every day by Cloud Scheduler, and as a Cloud Run
# service for the stream pipeline.

resource "google_artifact_registry_repository" "images" {
  repository_id = var.name_prefix
  location      = lower(var.data_location)
  format        = "DOCKER"
  description   = "salesflow container images"
  kms_key_name  = google_kms_crypto_key.data.id
  labels        = local.labels

  depends_on = [google_kms_crypto_key_iam_member.grant]
}

resource "google_cloud_run_v2_job" "batch" {
  name                = "${var.name_prefix}-batch"
  location            = var.region
  labels              = local.labels
  deletion_protection = true

  template {
    # One task: the pipeline assumes one writer per warehouse at a time.
    task_count  = 1
    parallelism = 1

    template {
      service_account = google_service_account.this["batch"].email
      timeout         = "${var.batch_timeout_seconds}s"
      # A failed run is retried by the next schedule; a re-run never loads a logged file twice.
      max_retries = 1

      containers {
        image = local.image
        args = concat([
          "pipeline", "batch",
          "--source", "gs://${google_storage_bucket.this["landing"].name}",
          "--warehouse", local.warehouse,
          "--archive", "gs://${google_storage_bucket.this["archive"].name}",
          "--rejected", "gs://${google_storage_bucket.this["rejected"].name}",
        ], local.check_only_args)

        env {
          name  = "GOOGLE_CLOUD_PROJECT"
          value = var.project_id
        }

        resources {
          limits = {
            cpu    = var.batch_resources.cpu
            memory = var.batch_resources.memory
          }
        }
      }
    }
  }

  depends_on = [google_bigquery_table.table, google_bigquery_table.view, google_bigquery_table.derived_view]
}

resource "google_cloud_scheduler_job" "batch_daily" {
  name        = "${var.name_prefix}-batch-daily"
  region      = var.region
  description = "Starts the salesflow batch job (landing → warehouse)."
  schedule    = var.batch_schedule
  time_zone   = var.time_zone

  retry_config {
    retry_count = 3
  }

  http_target {
    http_method = "POST"
    uri         = "https://run.googleapis.com/v2/${google_cloud_run_v2_job.batch.id}:run"

    oauth_token {
      service_account_email = google_service_account.this["scheduler"].email
      scope                 = "https://www.googleapis.com/auth/cloud-platform"
    }
  }

  depends_on = [google_cloud_run_v2_job_iam_member.grant]
}

# The stream consumer pulls from Pub/Sub: it needs no inbound traffic, so ingress
# is internal and nobody is granted run.invoker. Cloud Run still expects the
# container to listen on $PORT (the startup probe below).
resource "google_cloud_run_v2_service" "stream" {
  name                = "${var.name_prefix}-stream"
  location            = var.region
  ingress             = "INGRESS_TRAFFIC_INTERNAL_ONLY"
  labels              = local.labels
  deletion_protection = true

  template {
    service_account = google_service_account.this["stream"].email

    scaling {
      min_instance_count = 1
      max_instance_count = var.stream_max_instances
    }

    containers {
      image = local.image
      args = concat([
        "pipeline", "stream",
        "--subscription", google_pubsub_subscription.pipeline.id,
        "--warehouse", local.warehouse,
      ], local.check_only_args)

      env {
        name  = "GOOGLE_CLOUD_PROJECT"
        value = var.project_id
      }

      # glibc keeps freed native memory (gRPC, libduckdb) in per-thread arenas: fewer
      # arenas, trimmed sooner, hold ~30 MB less (docs/streaming.md, the small-memory profile).
      env {
        name  = "MALLOC_ARENA_MAX"
        value = "2"
      }
      env {
        name  = "MALLOC_TRIM_THRESHOLD_"
        value = "131072"
      }

      resources {
        # Always-on CPU: the consumer works between requests (there are none).
        cpu_idle = false
        limits = {
          cpu    = var.stream_resources.cpu
          memory = var.stream_resources.memory
        }
      }

      startup_probe {
        tcp_socket {}
      }
    }
  }

  depends_on = [
    google_bigquery_table.table,
    google_bigquery_table.view,
    google_bigquery_table.derived_view,
    google_pubsub_subscription_iam_member.grant,
  ]
}
