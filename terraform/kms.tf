# One customer-managed key for the deployment's data at rest: buckets, both
# datasets, the topics and the image repository. Each service agent may use the
# key, nothing more (grants in modules/policy, scope crypto_key).

resource "google_kms_key_ring" "this" {
  name     = "${var.name_prefix}-${var.environment}"
  location = lower(var.data_location)

  depends_on = [google_project_service.this]

  lifecycle {
    prevent_destroy = true
  }
}

resource "google_kms_crypto_key" "data" {
  name            = "data"
  key_ring        = google_kms_key_ring.this.id
  purpose         = "ENCRYPT_DECRYPT"
  rotation_period = "${var.kms_rotation_days * 86400}s"
  labels          = local.labels

  lifecycle {
    prevent_destroy = true
  }
}

# Service agents: created ahead of first use so the key grants never race them.
data "google_storage_project_service_account" "gcs" {
  depends_on = [google_project_service.this]
}

data "google_bigquery_default_service_account" "bq" {
  depends_on = [google_project_service.this]
}

resource "google_project_service_identity" "pubsub" {
  provider = google-beta

  project = var.project_id
  service = "pubsub.googleapis.com"

  depends_on = [google_project_service.this]
}

resource "google_project_service_identity" "artifactregistry" {
  provider = google-beta

  project = var.project_id
  service = "artifactregistry.googleapis.com"

  depends_on = [google_project_service.this]
}
