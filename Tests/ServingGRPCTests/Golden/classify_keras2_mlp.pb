


keras2_mlpclassifyhf
$
"
 
features
†JÍ¿ÑFƒ=«=?5H>
$
"
 
features
R]?8p:@J½¿„
r?


source


golden