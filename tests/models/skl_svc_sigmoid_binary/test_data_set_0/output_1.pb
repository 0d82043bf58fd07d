BprobabilitiesJ8þ4î?þ4î¿ƒÑŽ¿ƒÑŽ?b
¿b
?†‚=†‚½enÀen@
|	¿
|	?àxJ¾àxJ>