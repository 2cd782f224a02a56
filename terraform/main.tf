# salesflow on Google Cloud: what to create comes from two provider-free modules
# — the policy (labels, buckets, identities, every grant) and the warehouse
# catalog (tables and views generated from the code) — and the files beside this
# one turn them into resources. terraform/README.md is the runbook.

module "policy" {
  source = "./modules/policy"

  project_id              = var.project_id
  name_prefix             = var.name_prefix
  environment             = var.environment
  labels                  = var.labels
  archive_storage_classes = var.archive_storage_classes
  rejected_retention_days = var.rejected_retention_days
  soft_delete_days        = var.soft_delete_days
  noncurrent_version_days = var.noncurrent_version_days
}

module "catalog" {
  source = "./modules/catalog"

  project_id                = var.project_id
  dataset_id                = var.dataset_id
  reporting_dataset_id      = var.reporting_dataset_id
  billing_project_id        = var.project_id
  looker_template_report_id = var.looker_template_report_id
}

data "google_project" "this" {
  project_id = var.project_id
}

locals {
  labels = module.policy.labels

  image = var.image != "" ? var.image : "${lower(var.data_location)}-docker.pkg.dev/${var.project_id}/${google_artifact_registry_repository.images.repository_id}/salesflow:${var.image_tag}"

  warehouse = "bigquery:${var.project_id}.${var.dataset_id}"

  # --no-create: check that the dataset, tables and views exist, never create them.
  check_only_args = var.check_only ? ["--no-create"] : []
}
