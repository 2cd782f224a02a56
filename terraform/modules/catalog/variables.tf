variable "project_id" {
  description = "Project that holds the warehouse dataset (view queries name their tables in it)."
  type        = string
}

variable "dataset_id" {
  description = "The warehouse dataset the tables and views are created in."
  type        = string
}

variable "reporting_dataset_id" {
  description = "The dataset analysts and Looker Studio read: one view per gold table or view of the warehouse."
  type        = string
}

variable "billing_project_id" {
  description = "Project Looker Studio bills the queries of its reports to."
  type        = string
}

variable "looker_template_report_id" {
  description = "Looker Studio report to copy for each gold link (c.reportId); empty for Looker Studio's blank report."
  type        = string
  default     = ""
}
