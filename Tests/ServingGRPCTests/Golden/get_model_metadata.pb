

module_two_signaturessignature_def