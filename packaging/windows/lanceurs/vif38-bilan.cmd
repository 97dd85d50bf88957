@echo off
rem vif38-bilan for Windows: the bundled Python, in UTF-8 mode (-X utf8) so that output
rem redirected to a file or a pipe never fails on the console's code page. Python's bytecode
rem cache goes to the user's local data, never into the program folder.
setlocal
if not defined PYTHONPYCACHEPREFIX set "PYTHONPYCACHEPREFIX=%LOCALAPPDATA%\vif38-bilan\cache"
"%~dp0python\python.exe" -X utf8 -m vif38_bilan %*
set "VIF38_CODE=%ERRORLEVEL%"
if "%~1"=="" pause
exit /b %VIF38_CODE%
