
!

keras2_mlpserving_default:
features." †JÍ¿ÑFƒ=«=?5H>R]?8p:@J½¿„
r?probs