
X"a"q"zeta"
longer key**JмлюJ┴A`╬JН|÷©JZd;©