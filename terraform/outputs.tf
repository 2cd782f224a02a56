output "buckets" {
  description = "Bucket names by role (landing, lake, archive, rejected)."
  value       = { for k, b in google_storage_bucket.this : k => b.name }
}

output "warehouse" {
  description = "The --warehouse value for every salesflow command against this deployment."
  value       = local.warehouse
}

output "dataset" {
  description = "The warehouse dataset (project.dataset)."
  value       = "${var.project_id}.${google_bigquery_dataset.this["warehouse"].dataset_id}"
}

output "reporting_dataset" {
  description = "The dataset analysts and Looker Studio read (project.dataset)."
  value       = "${var.project_id}.${google_bigquery_dataset.this["reporting"].dataset_id}"
}

output "topic" {
  description = "The sales topic (salesflow publish --topic)."
  value       = google_pubsub_topic.this["sales"].id
}

output "subscription" {
  description = "The pipeline's subscription (salesflow pipeline stream --subscription)."
  value       = google_pubsub_subscription.pipeline.id
}

output "dead_letter_subscription" {
  description = "Where events that failed max_delivery_attempts wait."
  value       = google_pubsub_subscription.dead_letter.id
}

output "service_accounts" {
  description = "Service account e-mail by actor (impersonate uploader or publisher with --impersonate-service-account)."
  value       = { for k, sa in google_service_account.this : k => sa.email }
}

output "image" {
  description = "The image the job and the service run (push the Dockerfile's build here)."
  value       = local.image
}

output "batch_job" {
  description = "The Cloud Run job running salesflow pipeline batch."
  value       = google_cloud_run_v2_job.batch.name
}

output "stream_service" {
  description = "The Cloud Run service running salesflow pipeline stream."
  value       = google_cloud_run_v2_service.stream.name
}

output "kms_key" {
  description = "The customer-managed key of the deployment's data."
  value       = google_kms_crypto_key.data.id
}

output "looker_studio_links" {
  description = "Looker Studio report-create link per gold table and view (reads the reporting dataset)."
  value       = module.catalog.looker_links
}
