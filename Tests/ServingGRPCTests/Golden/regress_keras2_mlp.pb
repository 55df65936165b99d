


keras2_mlpregressN
L
$
"
 
features
†JÍ¿ÑFƒ=«=?5H>
$
"
 
features
R]?8p:@J½¿„
r?