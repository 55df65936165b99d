


keras2_mlp