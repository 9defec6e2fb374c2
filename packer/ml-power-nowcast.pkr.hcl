# The ml-power-nowcast AMI: Canonical's newest Ubuntu image, built into a GPU
# ML host by the ansible provisioner running playbooks/site.yml.
#   packer init packer/ && packer build -var ubuntu_version=24.04 packer/

packer {
  required_version = ">= 1.11.0"
  required_plugins {
    amazon = {
      version = ">= 1.3.0"
      source  = "github.com/hashicorp/amazon"
    }
    ansible = {
      version = ">= 1.1.0"
      source  = "github.com/hashicorp/ansible"
    }
  }
}

variable "ubuntu_version" {
  type        = string
  default     = "24.04"
  description = "Ubuntu release of the source image: 22.04 or 24.04."
  validation {
    condition     = contains(["22.04", "24.04"], var.ubuntu_version)
    error_message = "The ubuntu_version must be 22.04 or 24.04."
  }
}

variable "region" {
  type        = string
  default     = "us-east-1"
  description = "Region the AMI is built in."
}

variable "ami_regions" {
  type        = list(string)
  default     = []
  description = "Other regions the AMI is copied to."
}

variable "instance_type" {
  type        = string
  default     = "g6.xlarge"
  description = "Build instance type. g6f (fractional L4) needs nvidia_driver_method grid."
}

variable "root_volume_size_gb" {
  type        = number
  default     = 60
  description = "gp3 root volume size; the ML venv alone is about 7.2 GB."
}

variable "kms_key_id" {
  type        = string
  default     = ""
  description = "KMS key for the encrypted AMI; empty uses the account's default EBS key."
}

variable "iam_instance_profile" {
  type        = string
  default     = ""
  description = "Instance profile with AmazonSSMManagedInstanceCore; empty makes a temporary one."
}

variable "subnet_id" {
  type        = string
  default     = ""
  description = "Subnet of the build instance; it needs a route to SSM (NAT or VPC endpoints)."
}

variable "git_commit" {
  type        = string
  default     = "unknown"
  description = "Commit of this repository the AMI is built from (a tag on the AMI)."
}

variable "nvidia_driver_branch" {
  type        = string
  default     = "580"
  description = "NVIDIA driver branch baked into the AMI."
}

locals {
  timestamp  = formatdate("YYYYMMDDhhmmss", timestamp())
  codename   = lookup({ "22.04" = "jammy", "24.04" = "noble" }, var.ubuntu_version, "noble")
  ami_name   = "ml-power-nowcast-ubuntu${var.ubuntu_version}-${local.timestamp}"
  stack_lock = filesha256("${path.root}/../requirements.txt")
  tags = {
    Project            = "ml-power-nowcast"
    Name               = local.ami_name
    UbuntuVersion      = var.ubuntu_version
    GitCommit          = var.git_commit
    NvidiaDriverBranch = var.nvidia_driver_branch
    StackLockSha256    = local.stack_lock
    SourceAmi          = "{{ .SourceAMI }}"
    SourceAmiName      = "{{ .SourceAMIName }}"
    BuiltBy            = "packer"
  }
}

source "amazon-ebs" "ubuntu" {
  region          = var.region
  ami_regions     = var.ami_regions
  instance_type   = var.instance_type
  ami_name        = local.ami_name
  ami_description = "ml-power-nowcast GPU ML host, Ubuntu ${var.ubuntu_version}, NVIDIA ${var.nvidia_driver_branch}"

  source_ami_filter {
    filters = {
      name                = "ubuntu/images/hvm-ssd*/ubuntu-${local.codename}-${var.ubuntu_version}-amd64-server-*"
      root-device-type    = "ebs"
      virtualization-type = "hvm"
    }
    owners      = ["099720109477"]
    most_recent = true
  }

  # SSH through SSM: no key to share, no inbound port.
  communicator         = "ssh"
  ssh_username         = "ubuntu"
  ssh_interface        = "session_manager"
  iam_instance_profile = var.iam_instance_profile
  subnet_id            = var.subnet_id

  dynamic "temporary_iam_instance_profile_policy_document" {
    for_each = var.iam_instance_profile == "" ? [1] : []
    content {
      Version = "2012-10-17"
      Statement {
        Effect = "Allow"
        Action = [
          "ssm:DescribeAssociation",
          "ssm:GetDeployablePatchSnapshotForInstance",
          "ssm:GetDocument",
          "ssm:DescribeDocument",
          "ssm:GetManifest",
          "ssm:ListAssociations",
          "ssm:ListInstanceAssociations",
          "ssm:PutInventory",
          "ssm:PutComplianceItems",
          "ssm:UpdateAssociationStatus",
          "ssm:UpdateInstanceAssociationStatus",
          "ssm:UpdateInstanceInformation",
          "ssmmessages:CreateControlChannel",
          "ssmmessages:CreateDataChannel",
          "ssmmessages:OpenControlChannel",
          "ssmmessages:OpenDataChannel",
          "ec2messages:AcknowledgeMessage",
          "ec2messages:DeleteMessage",
          "ec2messages:FailMessage",
          "ec2messages:GetEndpoint",
          "ec2messages:GetMessages",
          "ec2messages:SendReply",
        ]
        Resource = ["*"]
      }
    }
  }

  # IMDSv2 only, on the build instance and on instances of the AMI.
  metadata_options {
    http_endpoint               = "enabled"
    http_tokens                 = "required"
    http_put_response_hop_limit = 1
  }
  imds_support = "v2.0"

  encrypt_boot = true
  kms_key_id   = var.kms_key_id

  launch_block_device_mappings {
    device_name           = "/dev/sda1"
    volume_size           = var.root_volume_size_gb
    volume_type           = "gp3"
    delete_on_termination = true
  }

  tags          = local.tags
  snapshot_tags = local.tags
  run_tags      = { Project = "ml-power-nowcast", Name = "packer-${local.ami_name}" }
}

build {
  name    = "ml-power-nowcast"
  sources = ["source.amazon-ebs.ubuntu"]

  provisioner "ansible" {
    playbook_file = "${path.root}/../playbooks/site.yml"
    user          = "ubuntu"
    use_proxy     = false
    # The image's settings (inventories/image/group_vars/all.yml) come from
    # this folder, the same file the Molecule scenarios and `make image` read.
    inventory_directory = "${path.root}/../inventories/image"
    extra_arguments = [
      "--extra-vars", "image_hygiene_enabled=true",
      "--extra-vars", "nvidia_driver_branch=${var.nvidia_driver_branch}",
    ]
    ansible_env_vars = [
      "ANSIBLE_CONFIG=${path.root}/../ansible.cfg",
      "ANSIBLE_COLLECTIONS_PATH=${path.root}/../collections",
      "ANSIBLE_FORCE_COLOR=1",
    ]
  }

  post-processor "manifest" {
    output     = "${path.root}/manifest.json"
    strip_path = true
    custom_data = {
      ubuntu_version       = var.ubuntu_version
      git_commit           = var.git_commit
      nvidia_driver_branch = var.nvidia_driver_branch
      stack_lock_sha256    = local.stack_lock
    }
  }
}
